// addr-fallback, reference solution: a client that tries every address of a name.
//
// net.Dial("tcp", ...) resolves HOST to every address of both families and tries them until one
// connects (racing the two families, "Happy Eyeballs"); it fails only when all have failed.
// net.JoinHostPort brackets an IPv6 literal ("[::1]:9090"). Then it sends "hello\n", prints the
// server's answer line and exits 0.
//
// Build: go build -o client client.go
// Run:   ./client localhost 9090
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: client HOST PORT")
		os.Exit(2)
	}
	dialer := net.Dialer{Timeout: 3 * time.Second} // for all the addresses together
	conn, err := dialer.Dial("tcp", net.JoinHostPort(os.Args[1], os.Args[2]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not connect: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("hello\n")); err != nil {
		fmt.Fprintf(os.Stderr, "write failed: %v\n", err)
		os.Exit(1)
	}
	reply := bufio.NewScanner(conn)
	if !reply.Scan() {
		fmt.Fprintf(os.Stderr, "the server closed the connection before a whole line (%v)\n", reply.Err())
		os.Exit(1)
	}
	fmt.Println(reply.Text())
}
