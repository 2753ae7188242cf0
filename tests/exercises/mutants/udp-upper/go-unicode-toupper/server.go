// udp-upper, mutant (the reference until issue 15): answers each datagram, uppercased, to its sender.
package main

import (
	"bytes"
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
	buf := make([]byte, 65536)
	for {
		n, peer, err := conn.ReadFromUDP(buf)
		if err != nil {
			log.Print(err)
			continue
		}
		// n == 0 is an empty datagram, not a goodbye: answer it like any other.
		if _, err := conn.WriteToUDP(bytes.ToUpper(buf[:n]), peer); err != nil {
			log.Print(err)
		}
	}
}
