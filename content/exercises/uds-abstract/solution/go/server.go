// uds-abstract, reference solution: a line server on the abstract Unix socket @NAME.
// "PING" -> "PONG", anything else -> "ERR unknown command". In Go, a leading "@" means abstract.
// A goroutine per client; SIGINT or SIGTERM stops it cleanly.
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
	"syscall"
	"time"
)

func serve(c net.Conn) {
	defer c.Close()
	scanner := bufio.NewScanner(c)
	// Lines of up to 65536 bytes are valid; the default limit is 64 KiB including the newline.
	scanner.Buffer(make([]byte, 4096), 65536+1)
	for scanner.Scan() {
		answer := "ERR unknown command\n"
		if scanner.Text() == "PING" {
			answer = "PONG\n"
		}
		if _, err := c.Write([]byte(answer)); err != nil {
			return
		}
	}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server NAME")
		os.Exit(2)
	}
	ln, err := net.Listen("unix", "@"+os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	// Handle SIGINT/SIGTERM before saying we are up: whoever reads that line may stop us at once.
	// Closing the listener makes the blocked Accept return net.ErrClosed.
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
