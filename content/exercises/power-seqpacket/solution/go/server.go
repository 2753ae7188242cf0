// power-seqpacket solution: a message echo server on the abstract SOCK_SEQPACKET socket @NAME.
// Each message of up to 65536 bytes is answered with one message, "echo: " + the message; a
// longer one gets "error: message longer than 65536 bytes" and the connection is closed.
//
// Build: go build -o server server.go
// Run:   ./server NAME
package main

import (
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

const maxMessage = 65536

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		fmt.Fprintln(os.Stderr, "usage: server NAME")
		os.Exit(2)
	}
	name := "@" + os.Args[1] // Go writes the '@' as the NUL byte of an abstract name
	ln, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: name, Net: "unixpacket"})
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
		conns = map[*net.UnixConn]struct{}{}
		delay time.Duration
	)
	for {
		conn, err := ln.AcceptUnix()
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
			serve(conn)
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

// serve answers each message with one message. ReadMsgUnix returns one whole message, or its
// first len(buf) bytes with MSG_TRUNC set: the kernel has discarded the rest.
func serve(conn *net.UnixConn) {
	defer conn.Close()
	reply := make([]byte, len("echo: ")+maxMessage)
	copy(reply, "echo: ")
	message := reply[len("echo: "):]
	for {
		n, _, flags, _, err := conn.ReadMsgUnix(message, nil)
		if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
			return // the peer closed (Go also says io.EOF for an empty message: see the lesson)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
			return
		}
		if flags&syscall.MSG_TRUNC != 0 {
			fmt.Fprintf(os.Stderr, "a message longer than %d bytes, closing\n", maxMessage)
			conn.Write([]byte("error: message longer than 65536 bytes"))
			return
		}
		// One Write is one message: all of it or an error.
		if _, err := conn.Write(reply[:len("echo: ")+n]); err != nil {
			fmt.Fprintf(os.Stderr, "write failed: %v\n", err)
			return
		}
	}
}
