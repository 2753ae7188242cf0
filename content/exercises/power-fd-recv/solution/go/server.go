// power-fd-recv solution: a server on the abstract Unix stream socket @NAME that receives one
// open descriptor per connection (SCM_RIGHTS, on the byte "F"), reads it to its end and answers
// "lines <L> bytes <B>\n": its newline count and byte count. No descriptor gets
// "error: no descriptor\n"; more than one (or MSG_CTRUNC) gets "error: expected one descriptor\n".
// Every descriptor that arrives is closed.
//
// Build: go build -o server server.go
// Run:   ./server NAME
package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// maxFds is the room we make for descriptors: more than one is an error we must see, and close.
const maxFds = 4

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		fmt.Fprintln(os.Stderr, "usage: server NAME")
		os.Exit(2)
	}
	name := "@" + os.Args[1] // Go writes the '@' as the NUL byte of an abstract name
	ln, err := net.Listen("unix", name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	fmt.Printf("listening on %s\n", name)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		delay time.Duration
	)
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "accept failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func() {
			defer wg.Done()
			serve(conn.(*net.UnixConn))
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		}()
	}
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	fmt.Println("shutting down")
}

func serve(conn *net.UnixConn) {
	defer conn.Close()
	reply := answer(conn)
	if reply == "" {
		return // the client left without a word
	}
	if _, err := conn.Write([]byte(reply)); err != nil {
		fmt.Fprintf(os.Stderr, "write failed: %v\n", err)
	}
}

// answer receives the byte "F" with its descriptors and says what the reply is.
func answer(conn *net.UnixConn) string {
	oob := make([]byte, syscall.CmsgSpace(maxFds*4))
	n, oobn, flags, _, err := conn.ReadMsgUnix(make([]byte, 1), oob) // Go adds MSG_CMSG_CLOEXEC
	if err != nil || n == 0 {
		return ""
	}
	fds := receivedFds(oob[:oobn])
	if len(fds) != 1 || flags&syscall.MSG_CTRUNC != 0 {
		for _, fd := range fds {
			syscall.Close(fd) // every descriptor that arrived is ours to close, wanted or not
		}
		if len(fds) == 0 && flags&syscall.MSG_CTRUNC == 0 {
			return "error: no descriptor\n"
		}
		return "error: expected one descriptor\n"
	}
	file := os.NewFile(uintptr(fds[0]), "received")
	defer file.Close() // ours to close, like every descriptor that arrives
	var lines, total int
	buf := make([]byte, 65536)
	for { // a pipe or socket gives its data in pieces: read to the end
		n, err := file.Read(buf)
		lines += bytes.Count(buf[:n], []byte("\n"))
		total += n
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Sprintf("error: read: %v\n", err)
		}
	}
	return fmt.Sprintf("lines %d bytes %d\n", lines, total)
}

// receivedFds returns every descriptor in the SCM_RIGHTS messages of oob: what arrived, however
// many we hoped for.
func receivedFds(oob []byte) []int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var fds []int
	for _, m := range msgs {
		if got, err := syscall.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	return fds
}
