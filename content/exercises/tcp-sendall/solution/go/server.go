// tcp-sendall, reference solution: sends every client the 8 MiB stream (line k is k zero-padded
// to 7 digits and "\n", k = 0 .. 1048575), then closes. A goroutine per client: one that reads
// slowly blocks only its own Write.
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

const lines = 1 << 20

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(os.Args[1]); err != nil || n < 0 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (port: 0-65535)")
		os.Exit(2)
	}
	stream := make([]byte, 0, lines*8)
	for k := 0; k < lines; k++ {
		stream = fmt.Appendf(stream, "%07d\n", k)
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
		go send(conn, stream)
	}
	fmt.Println("shutting down")
}

// send writes the whole stream and closes. Go's Write loops over short writes and waits while
// the socket's buffer is full: it returns early only with an error, which says how far it got.
func send(conn net.Conn, stream []byte) {
	defer conn.Close() // a plain Close: what is still queued in the kernel is delivered
	if n, err := conn.Write(stream); err != nil {
		fmt.Fprintf(os.Stderr, "client %s: write failed after %d bytes: %v\n", conn.RemoteAddr(), n, err)
	}
}
