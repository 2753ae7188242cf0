// uds-dgram-client starter: send each line of standard input as a datagram to the server at
// SOCKET, print each answer on a line, and at the end of input remove your socket file and exit 0.
// This one never binds an address of its own (DialUnix with no local address), so the server
// cannot answer it and it waits forever. TODO: ListenUnixgram on <dir>/client.sock in a fresh
// directory from os.MkdirTemp (chmod it 0710), send with WriteToUnix, wait at most 2 s for each
// answer, and remove the directory at the end. Build: go build -o client client.go
package main

import (
	"bufio"
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
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: os.Args[1], Net: "unixgram"})
	if err != nil {
		log.Fatal(err)
	}
	defer conn.Close()
	reply := make([]byte, 4096)
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if _, err := conn.Write(lines.Bytes()); err != nil {
			log.Fatal(err)
		}
		n, err := conn.Read(reply)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(string(reply[:n]))
	}
}
