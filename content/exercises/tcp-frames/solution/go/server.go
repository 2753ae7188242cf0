// tcp-frames, reference solution: length-prefixed frames over TCP. Each frame is a 4-byte
// big-endian length N (at most 65536) and N bytes; the answer is a frame of the bytes reversed.
// A goroutine per client; SIGINT or SIGTERM stops it cleanly.
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

const maxFrame = 65536

func serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	head := make([]byte, 4)
	for {
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n := binary.BigEndian.Uint32(head)
		if n > maxFrame {
			return // refuse: closes the connection
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return
		}
		out := make([]byte, 4+n)
		copy(out, head)
		for i := uint32(0); i < n; i++ {
			out[4+i] = payload[n-1-i]
		}
		if _, err := c.Write(out); err != nil {
			return
		}
	}
}

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
