// uds-dgram-echo, reference solution: a Unix datagram server that answers "echo: <text>" to
// each sender's address. A sender that never bound an address cannot be answered: skip it.
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
	_ = os.Remove(path) // a file left by an earlier run
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("listening on", path)
	buf := make([]byte, 65536)
	for {
		n, peer, err := conn.ReadFromUnix(buf)
		if err != nil {
			log.Print(err)
			continue
		}
		if peer == nil || peer.Name == "" {
			continue // unbound sender: nowhere to answer
		}
		reply := append([]byte("echo: "), buf[:n]...)
		if _, err := conn.WriteToUnix(reply, peer); err != nil {
			log.Print(err)
		}
	}
}
