// uds-dgram-echo starter: a Unix datagram server on SOCKET that answers each datagram with
// "echo: " and its text, sent back to the sender's address.
// TODO: remove a file left at the path before listening; answer each sender (ReadFromUnix gives
// its address, WriteToUnix answers); skip senders with no address; never stop on an empty datagram.
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
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	path := os.Args[1]
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", path)
	buf := make([]byte, 1024)
	for {
		n, err := conn.Read(buf)
		if err != nil || n == 0 {
			return
		}
		fmt.Printf("got %d bytes\n", n)
	}
}
