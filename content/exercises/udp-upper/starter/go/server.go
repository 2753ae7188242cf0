// udp-upper starter: a UDP server on 127.0.0.1:PORT that answers each datagram, in capitals, to
// whoever sent it. This one receives and prints, but never answers: ReadFromUDP tells you who
// sent it. Build: go build -o server server.go
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
	buf := make([]byte, 128)
	for {
		n, err := conn.Read(buf) // TODO: who sent it?
		if err != nil || n == 0 {
			break // TODO: is an empty datagram really the end?
		}
		fmt.Printf("got %d bytes\n", n)
		// TODO: uppercase (bytes.ToUpper) and send back with WriteToUDP
	}
}
