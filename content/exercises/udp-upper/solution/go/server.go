// udp-upper, reference solution: answers each datagram, uppercased, to its sender.
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
	buf := make([]byte, 65536)
	for {
		n, peer, err := conn.ReadFromUDP(buf)
		if err != nil {
			log.Print(err)
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
			log.Print(err)
		}
	}
}
