// addr-dual-stack starter: a "who am I" server on 127.0.0.1:PORT.
//
// It answers every line with "you are <ip> port <port> over IPv4", but only IPv4 clients reach
// it. Make it listen for IPv4 and IPv6 clients on one socket, and name each client by the
// address and family it really has.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server PORT")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", os.Args[1])) // TODO: IPv4 only
	if err != nil {
		fmt.Fprintf(os.Stderr, "listen failed: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("listening on %s\n", ln.Addr())
	for {
		conn, err := ln.Accept()
		if err != nil {
			continue
		}
		go func() {
			defer conn.Close()
			peer := conn.RemoteAddr().(*net.TCPAddr)
			lines := bufio.NewScanner(conn)
			for lines.Scan() {
				fmt.Fprintf(conn, "you are %s port %d over IPv4\n", peer.IP, peer.Port)
			}
		}()
	}
}
