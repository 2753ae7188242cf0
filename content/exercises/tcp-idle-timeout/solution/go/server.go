// tcp-idle-timeout, reference solution: a TCP echo server that closes a connection from which no
// byte has arrived for 2 s. A goroutine per client; a read deadline set before each Read, so every
// byte that arrives restarts the timer.
//
// Build: go build -o server server.go
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

const idle = 2 * time.Second

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(os.Args[1]); err != nil || n < 0 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (port: 0-65535)")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", os.Args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	// Handle SIGINT/SIGTERM before saying we are up: whoever reads that line may stop us at once,
	// and an unhandled signal kills a Go program without any cleanup.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		ln.Close()
	}()
	fmt.Printf("listening on %s\n", ln.Addr())

	var delay time.Duration // after a failed Accept: 5 ms, doubling up to 1 s, as net/http does
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
		go serve(conn)
	}
	fmt.Println("shutting down")
}

// serve echoes until the client finishes or stays silent for `idle`.
func serve(conn net.Conn) {
	defer conn.Close()
	buf := make([]byte, 16384)
	for {
		// A deadline is a point in time, not a duration: move it before every Read.
		if err := conn.SetReadDeadline(time.Now().Add(idle)); err != nil {
			return
		}
		n, err := conn.Read(buf)
		if n > 0 {
			if _, werr := conn.Write(buf[:n]); werr != nil {
				return
			}
		}
		if errors.Is(err, os.ErrDeadlineExceeded) {
			fmt.Printf("client %s idle for %v, closing\n", conn.RemoteAddr(), idle)
			return
		}
		if err != nil {
			return // io.EOF: the client finished
		}
	}
}
