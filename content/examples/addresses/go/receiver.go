// Multicast receiver: joins the group 239.255.0.1 on the loopback interface and prints every
// datagram sent to the group.
//
// Shows: net.ListenMulticastUDP, which does what the C receiver spells out: SO_REUSEADDR (so
// several receivers can share the group and port, each getting a copy), bind to the group
// address and port, and IP_ADD_MEMBERSHIP on the interface it is given (lo here: nil would let
// the routing table choose). Closing the connection on SIGINT/SIGTERM ends the blocked read.
//
// Build: go build -o receiver receiver.go
// Run:   ./receiver 9090        then, in another terminal: ./sender 9090
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

var group = net.IPv4(239, 255, 0, 1) // organisation-local scope (RFC 2365): never routed off site

func main() {
	port := 9090
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: receiver [port]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n < 0 || n > 65535 {
			fmt.Fprintln(os.Stderr, "usage: receiver [port]   (port: 0-65535)")
			os.Exit(2)
		}
		port = n
	}
	lo, err := net.InterfaceByName("lo")
	if err != nil {
		fmt.Fprintf(os.Stderr, "finding the interface lo failed: %v\n", err)
		os.Exit(1)
	}
	conn, err := net.ListenMulticastUDP("udp4", lo, &net.UDPAddr{IP: group, Port: port})
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		conn.Close() // leaves the group; the blocked ReadFromUDP returns net.ErrClosed
	}()
	fmt.Printf("listening on %s:%d (joined on lo)\n", group, conn.LocalAddr().(*net.UDPAddr).Port)

	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFromUDP(buf)
		if errors.Is(err, net.ErrClosed) {
			break
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "read failed: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("from %s: %q (%d bytes)\n", from, buf[:n], n)
	}
	fmt.Println("shutting down")
}
