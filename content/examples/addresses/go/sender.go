// Multicast sender: sends each line of stdin as one datagram to the group 239.255.0.1.
//
// Shows: a UDP socket sends to a group address like to any other. Go's standard library has
// no option for the outgoing multicast interface, so the Dialer's Control function sets
// IP_MULTICAST_IF (lo, by its address 127.0.0.1) on the raw socket; without it the routing
// table chooses (golang.org/x/net/ipv4's PacketConn.SetMulticastInterface does the same).
// The TTL stays at its default of 1: the datagrams never leave the local network.
//
// Build: go build -o sender sender.go
// Run:   printf 'hello\nworld\n' | ./sender 9090
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
)

// viaLoopback sets IP_MULTICAST_IF to 127.0.0.1 before the socket is used.
var viaLoopback = net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
	var sockErr error
	err := c.Control(func(fd uintptr) {
		sockErr = syscall.SetsockoptInet4Addr(int(fd), syscall.IPPROTO_IP, syscall.IP_MULTICAST_IF, [4]byte{127, 0, 0, 1})
	})
	if err != nil {
		return err
	}
	return sockErr
}}

func main() {
	port := "9090"
	if len(os.Args) > 2 {
		fmt.Fprintln(os.Stderr, "usage: sender [port]")
		os.Exit(2)
	}
	if len(os.Args) == 2 {
		if n, err := strconv.Atoi(os.Args[1]); err != nil || n < 1 || n > 65535 {
			fmt.Fprintln(os.Stderr, "usage: sender [port]   (port: 1-65535)")
			os.Exit(2)
		}
		port = os.Args[1]
	}
	group := net.JoinHostPort("239.255.0.1", port)
	conn, err := viaLoopback.Dial("udp4", group)
	if err != nil {
		fmt.Fprintf(os.Stderr, "dial failed: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Printf("sending to %s (via lo, ttl 1)\n", group)

	input := bufio.NewScanner(os.Stdin)
	for input.Scan() {
		line := input.Text()
		if n := len(line); n > 0 && line[n-1] == '\r' {
			line = line[:n-1]
		}
		// One Write is one datagram: all of it is sent, or it fails (EMSGSIZE if too big).
		if _, err := conn.Write([]byte(line)); err != nil {
			fmt.Fprintf(os.Stderr, "send failed: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("sent %q (%d bytes)\n", line, len(line))
	}
	if err := input.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin failed: %v\n", err)
		os.Exit(1)
	}
}
