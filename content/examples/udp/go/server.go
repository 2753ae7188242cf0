// UDP echo server: answers every datagram to the address it came from.
//
// Shows: net.ListenUDP (socket + bind, no listen or accept: there are no connections),
// ReadFromUDP (recvfrom: the data and who sent it) and WriteToUDP (sendto that address).
// Every datagram is a whole message; an empty one is legal and gets "echo: ".
//
// Build: go build -o server server.go
// Run:   ./server 9090        then, in another terminal: ./client 127.0.0.1 9090
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
	port := 9090
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: server [port]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 0 || n > 65535 {
			fmt.Fprintln(os.Stderr, "usage: server [port]   (port: 0-65535)")
			os.Exit(2)
		}
		port = n
	}

	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: port})
	if err != nil {
		fmt.Fprintf(os.Stderr, "bind failed: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		conn.Close() // makes the blocked ReadFromUDP return net.ErrClosed
	}()
	// Ready only now: a signal that comes after this line finds its handler in place.
	fmt.Printf("listening on %s\n", conn.LocalAddr())

	// 65535 bytes hold the largest possible UDP datagram, so nothing is ever cut off here.
	buf := make([]byte, 65535)
	for {
		n, from, err := conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			// E.g. ECONNREFUSED left by an ICMP error for an earlier reply: about one peer, not us.
			fmt.Fprintf(os.Stderr, "receive failed: %v\n", err)
			continue
		}
		text := string(buf[:n])
		fmt.Printf("from %s: %q (%d bytes)\n", from, text, n)
		if _, err := conn.WriteToUDP([]byte("echo: "+text), from); err != nil {
			fmt.Fprintf(os.Stderr, "send to %s failed: %v\n", from, err)
		}
	}
	fmt.Println("shutting down")
}
