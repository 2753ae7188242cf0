// udp-truncation, mutant: receives into a 1500-byte buffer and tells the sender how
// many bytes it kept, and whether the datagram was cut (MSG_TRUNC in ReadMsgUDP's flags).
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
			log.Print(err)
			continue
		}
		reply := fmt.Sprintf("%d bytes", n)
		if n == len(buf) { // the mistake: a full buffer is taken for a cut datagram
			reply += ", truncated"
		}
		if _, err := conn.WriteToUDP([]byte(reply), peer); err != nil {
			log.Print(err)
		}
	}
}
