// udp-truncation starter: receive each datagram into a 1500-byte buffer and answer the sender
// "<n> bytes" (n = bytes kept), or "<n> bytes, truncated" when the datagram did not fit.
// This one never notices truncation: ReadFromUDP does not say. Look at ReadMsgUDP's flags.
// Build: go build -o server server.go
package main

import (
	"fmt"
	"log"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s PORT\n", os.Args[0])
		os.Exit(2)
	}
	addr, err := net.ResolveUDPAddr("udp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on udp", conn.LocalAddr())
	buf := make([]byte, 1500)
	for {
		n, peer, err := conn.ReadFromUDP(buf)
		if err != nil {
			continue
		}
		reply := fmt.Sprintf("%d bytes", n) // TODO: was it truncated?
		_, _ = conn.WriteToUDP([]byte(reply), peer)
	}
}
