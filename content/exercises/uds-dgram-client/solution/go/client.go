// uds-dgram-client, reference solution: sends each line of standard input as a datagram to the
// server at SOCKET, from a path of its own (else the server could not answer), prints each answer,
// and removes its own socket file at the end.
package main

import (
	"bufio"
	"fmt"
	"log"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s SOCKET\n", os.Args[0])
		os.Exit(2)
	}
	server := &net.UnixAddr{Name: os.Args[1], Net: "unixgram"}
	self := &net.UnixAddr{Name: fmt.Sprintf("/tmp/uds-client-%d.sock", os.Getpid()), Net: "unixgram"}
	_ = os.Remove(self.Name)
	conn, err := net.ListenUnixgram("unixgram", self)
	if err != nil {
		log.Fatal(err)
	}
	// Unlike a stream listener, a datagram socket does not remove its file on Close.
	defer os.Remove(self.Name)
	defer conn.Close()

	reply := make([]byte, 65536)
	lines := bufio.NewScanner(os.Stdin)
	for lines.Scan() {
		if _, err := conn.WriteToUnix(lines.Bytes(), server); err != nil {
			log.Print(err)
			return
		}
		_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _, err := conn.ReadFromUnix(reply)
		if err != nil {
			log.Print("no answer: ", err)
			return
		}
		fmt.Println(string(reply[:n]))
	}
}
