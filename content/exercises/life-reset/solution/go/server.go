// life-reset, reference solution: a TCP line echo server on 127.0.0.1:PORT, a goroutine per
// client, that ends a connection in the two ways TCP has when the client asks:
//
//	close  an orderly close: Close sends a FIN after every earlier reply (this side then holds
//	       TIME_WAIT)
//	reset  an abortive close: SetLinger(0) on this connection, then Close: the kernel sends a RST,
//	       the client's next read fails with ECONNRESET
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const maxLine = 64 * 1024 // longer lines are a protocol error

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(os.Args[1]); err != nil || n < 0 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (port: 0-65535)")
		os.Exit(2)
	}
	port := os.Args[1]

	// Listen does socket(), setsockopt(SO_REUSEADDR), bind() and listen() in one call, so a
	// restarted server can bind at once even with old connections in TIME_WAIT.
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}

	// On SIGINT/SIGTERM close the listener: the blocked Accept returns net.ErrClosed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", ln.Addr())

	var wg sync.WaitGroup
	conns := make(map[net.Conn]struct{})
	var mu sync.Mutex
	var delay time.Duration // how long to wait after a failed Accept: 5 ms, doubling up to 1 s
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

	// Closing the open connections ends their handlers' reads.
	mu.Lock()
	for c := range conns {
		c.Close()
	}
	mu.Unlock()
	wg.Wait()
	fmt.Println("shutting down")
}

// serve answers every line of one client with "echo: <line>\n" until the client hangs up or
// asks for a close or a reset.
func serve(conn net.Conn) {
	defer conn.Close()
	name := conn.RemoteAddr().String()
	fmt.Printf("client %s connected\n", name)

	// Scanner buffers partial reads and splits on '\n'; Buffer caps a line at maxLine.
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLine)
lines:
	for lines.Scan() { // false at EOF or on an error: never loop on a dead connection
		line := lines.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		switch line {
		case "close":
			fmt.Printf("client %s: closing first (FIN: this side will be in TIME_WAIT)\n", name)
			break lines // the deferred Close sends the FIN
		case "reset":
			// Linger 0 makes Close abort: the kernel drops anything unsent and sends a RST instead
			// of a FIN, and the socket is freed at once, with no TIME_WAIT.
			if err := conn.(*net.TCPConn).SetLinger(0); err != nil {
				fmt.Fprintf(os.Stderr, "client %s: SetLinger failed: %v\n", name, err)
			}
			fmt.Printf("client %s: reset: linger 0, so Close sends a RST\n", name)
			break lines
		}
		fmt.Printf("client %s says: %s\n", name, line)
		// One Write of the whole reply; Go's Write loops until every byte is sent or it fails.
		if _, err := conn.Write([]byte("echo: " + line + "\n")); err != nil {
			fmt.Fprintf(os.Stderr, "client %s: write failed: %v\n", name, err)
			return
		}
	}
	if err := lines.Err(); err != nil && !errors.Is(err, net.ErrClosed) {
		fmt.Fprintf(os.Stderr, "client %s: read failed: %v\n", name, err)
	}
	fmt.Printf("client %s disconnected\n", name)
}
