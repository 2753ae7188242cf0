// addr-fallback starter: sends "hello\n" to HOST PORT and prints the answer line.
//
// It dials IPv4 only, and glues host and port with a colon. Make it reach the server on any
// address of HOST, IPv6 literals included.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: client HOST PORT")
		os.Exit(2)
	}
	conn, err := net.Dial("tcp4", os.Args[1]+":"+os.Args[2]) // TODO: IPv4 only; "::1:9090" is no address
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect failed: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Fprint(conn, "hello\n")
	reply := bufio.NewScanner(conn)
	if reply.Scan() {
		fmt.Println(reply.Text())
	}
}
