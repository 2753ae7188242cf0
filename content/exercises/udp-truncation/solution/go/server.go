// udp-truncation, reference solution: receives into a 1500-byte buffer and tells the sender how
// many bytes it kept, and whether the datagram was cut (MSG_TRUNC in ReadMsgUDP's flags). SIGINT
// or SIGTERM stops it cleanly.
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
	// Closing the socket makes the blocked ReadMsgUDP return net.ErrClosed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		conn.Close()
	}()
	fmt.Printf("listening on %s\n", conn.LocalAddr())

	buf := make([]byte, 1500)
	for {
		n, _, flags, peer, err := conn.ReadMsgUDP(buf, nil)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "receive failed: %v\n", err)
			continue
		}
		reply := fmt.Sprintf("%d bytes", n)
		if flags&syscall.MSG_TRUNC != 0 {
			reply += ", truncated"
		}
		if _, err := conn.WriteToUDP([]byte(reply), peer); err != nil {
			fmt.Fprintf(os.Stderr, "send to %s failed: %v\n", peer, err)
		}
	}
	fmt.Println("shutting down")
}
