// Line echo server on an abstract Unix socket name, which logs who each client is (SO_PEERCRED).
//
// Shows: net.Listen("unix", "@name"): Go turns the leading '@' into the NUL byte of an abstract
// name (no file: nothing stale to remove, nothing to unlink, no permission bits), and
// syscall.GetsockoptUcred on the connection's descriptor: the peer's pid, uid and gid as the
// kernel recorded them at connect(). The echo protocol is the uds-stream server's.
//
// Build: go build -o server server.go
// Run:   ./server @socketlab-uds-power    then: ./client @socketlab-uds-power
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"
)

const maxLine = 64 * 1024

func main() {
	name := "@socketlab-uds-power"
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: server [@name]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		name = os.Args[1]
	}
	if !strings.HasPrefix(name, "@") || len(name) < 2 {
		fmt.Fprintln(os.Stderr, "usage: server [@name] (an abstract name, e.g. @socketlab-uds-power)")
		os.Exit(2)
	}

	// EADDRINUSE here means a live socket holds the name: an abstract name vanishes with its
	// last socket, so it is never stale.
	ln, err := net.Listen("unix", name)
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close() // frees the name at once (Go unlinks nothing: there is no file)
	}()
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", name)

	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns = map[net.Conn]struct{}{}
		n     int           // clients accepted so far
		delay time.Duration // how long to wait after a failed Accept: 5 ms, doubling up to 1 s
	)
	for {
		conn, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// Too many open files, say: a shortage that passes, not a broken listener. Retrying at
			// once would spin while it lasts, so wait, longer each time, as net/http's Server does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			fmt.Fprintf(os.Stderr, "accept failed: %v; retrying in %v\n", err, delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		n++
		mu.Lock()
		conns[conn] = struct{}{}
		mu.Unlock()
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			serve(conn, id)
			mu.Lock()
			delete(conns, conn)
			mu.Unlock()
		}(n)
	}
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	fmt.Println("shutting down")
}

// peer says who is at the other end of conn. SO_PEERCRED holds the pid, uid and gid of the
// process that called connect(), recorded by the kernel then, so the peer cannot forge them.
func peer(conn net.Conn) string {
	raw, err := conn.(*net.UnixConn).SyscallConn()
	if err != nil {
		return fmt.Sprintf("(no descriptor: %v)", err)
	}
	var cred *syscall.Ucred
	var credErr error
	if err := raw.Control(func(fd uintptr) {
		cred, credErr = syscall.GetsockoptUcred(int(fd), syscall.SOL_SOCKET, syscall.SO_PEERCRED)
	}); err != nil {
		credErr = err
	}
	if credErr != nil {
		return fmt.Sprintf("(SO_PEERCRED failed: %v)", credErr)
	}
	return fmt.Sprintf("pid %d uid %d gid %d", cred.Pid, cred.Uid, cred.Gid)
}

// serve answers every line with "echo: <line>\n" until the client hangs up. Unix clients have
// no address of their own (they did not bind), so they are numbered.
func serve(conn net.Conn, id int) {
	defer conn.Close()
	fmt.Printf("client #%d connected: %s\n", id, peer(conn))
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLine)
	for lines.Scan() { // stops at EOF: a hung-up client does not make us spin
		line := lines.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		fmt.Printf("client #%d says: %s\n", id, line)
		if _, err := conn.Write([]byte("echo: " + line + "\n")); err != nil {
			fmt.Fprintf(os.Stderr, "client #%d: write failed: %v\n", id, err)
			return
		}
	}
	if err := lines.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(os.Stderr, "client #%d: read failed: %v\n", id, err)
	}
	fmt.Printf("client #%d disconnected\n", id)
}
