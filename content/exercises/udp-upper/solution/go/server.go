// udp-upper, reference solution: answers each datagram, uppercased, to its sender; SIGINT or
// SIGTERM stops it cleanly.
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
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	port, err := strconv.Atoi(os.Args[1])
	if err != nil || port < 0 || port > 65535 {
		fmt.Fprintln(os.Stderr, "usage: server PORT   (port: 0-65535)")
		os.Exit(2)
	}
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bind failed: %v\n", err)
		os.Exit(1)
	}
	// Handle SIGINT/SIGTERM before saying we are up: whoever reads that line may stop us at once.
	// Closing the socket makes the blocked ReadFromUDP return net.ErrClosed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	fmt.Printf("listening on %s\n", conn.LocalAddr())

	buf := make([]byte, 65536) // more than the largest UDP payload over IPv4 (65507 bytes)
	for {
		n, peer, err := conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "receive failed: %v\n", err)
			continue
		}
		// n == 0 is an empty datagram, not a goodbye: answer it like any other.
		// Only a-z change: bytes.ToUpper would also change é or ÿ, and turn bytes that are not
		// UTF-8 into three-byte replacement characters.
		for i, b := range buf[:n] {
			if b >= 'a' && b <= 'z' {
				buf[i] = b - 'a' + 'A'
			}
		}
		if _, err := conn.WriteToUDP(buf[:n], peer); err != nil {
			fmt.Fprintf(os.Stderr, "send to %s failed: %v\n", peer, err)
		}
	}
	fmt.Println("shutting down")
}
