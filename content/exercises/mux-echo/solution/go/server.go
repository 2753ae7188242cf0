// mux-echo, reference solution: one goroutine per connection, multiplexed by the runtime.
// It logs connections only, not every line.
//
// Shows: code that looks blocking (Accept, Scan, Write) on sockets that are non-blocking
// underneath. Go's netpoller (epoll on Linux) parks a goroutine whose socket would return EAGAIN
// and wakes it when epoll says the socket is ready, so a few OS threads serve thousands of
// connections. A client that does not read blocks only its own goroutine in Write; the others go
// on, and since that goroutine stops reading too, nothing piles up in memory.
//
// Build: go build -o server server.go
// Run:   ./server PORT
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
	port := os.Args[1]
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (PORT: 0-65535)")
		os.Exit(2)
	}

	// net.Listen does socket(), setsockopt(SO_REUSEADDR), bind() and listen() in one call,
	// so a restarted server can bind at once even with old connections in TIME_WAIT.
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

// serve answers every line of one client with "echo: <line>\n" until the client hangs up.
func serve(conn net.Conn) {
	defer conn.Close()
	name := conn.RemoteAddr().String()
	fmt.Printf("client %s connected\n", name)

	// Scanner buffers partial reads and splits on '\n'; Buffer caps a line at maxLine.
	lines := bufio.NewScanner(conn)
	lines.Buffer(make([]byte, 4096), maxLine)
	for lines.Scan() { // false at EOF or on an error: never loop on a dead connection
		line := lines.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
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
