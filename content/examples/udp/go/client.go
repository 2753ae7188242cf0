// UDP client: one datagram per line of stdin, waiting up to 1 s for the reply, 3 tries.
//
// Shows: net.DialUDP makes a *connected* UDP socket (connect() on a datagram socket): it fixes
// the peer, filters out datagrams from anyone else, and reports ECONNREFUSED when nothing listens
// on that port (the kernel turns the ICMP "port unreachable" into an error on our next read).
// UDP may lose or reorder datagrams, so the client retries and ignores replies that do not match.
//
// Build: go build -o client client.go
// Run:   ./client 127.0.0.1 9090    (type lines; Ctrl-D to finish)
package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

const tries = 3

func main() {
	host, port := "127.0.0.1", "9090"
	switch len(os.Args) {
	case 1:
	case 3:
		host, port = os.Args[1], os.Args[2]
	default:
		fmt.Fprintln(os.Stderr, "usage: client [host port]")
		os.Exit(2)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		fmt.Fprintln(os.Stderr, "usage: client [host port]   (port: 1-65535)")
		os.Exit(2)
	}
	addr := net.JoinHostPort(host, port)
	raddr, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bad address %s: %v\n", addr, err)
		os.Exit(2)
	}
	conn, err := net.DialUDP("udp4", nil, raddr)
	if err != nil {
		fmt.Fprintf(os.Stderr, "connect failed: %v\n", err)
		os.Exit(1)
	}
	defer conn.Close()
	fmt.Printf("sending to %s\n", addr)

	buf := make([]byte, 65535)
	input := bufio.NewScanner(os.Stdin)
	for input.Scan() {
		line := input.Text()
		reply, err := ask(conn, buf, line)
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			fmt.Fprintf(os.Stderr, "nothing is listening on %s\n", addr)
		case err != nil:
			fmt.Fprintln(os.Stderr, err)
		default:
			fmt.Println(reply)
		}
	}
	if err := input.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "reading stdin failed: %v\n", err)
		os.Exit(1)
	}
}

// ask sends line as one datagram and waits for "echo: <line>", resending up to `tries` times.
func ask(conn *net.UDPConn, buf []byte, line string) (string, error) {
	want := "echo: " + line
	for try := 0; try < tries; try++ {
		if _, err := conn.Write([]byte(line)); err != nil {
			return "", err
		}
		deadline := time.Now().Add(time.Second)
		if err := conn.SetReadDeadline(deadline); err != nil {
			return "", err
		}
		for {
			n, err := conn.Read(buf)
			var timeout net.Error
			if errors.As(err, &timeout) && timeout.Timeout() {
				break // no reply within 1 s: send again
			}
			if err != nil {
				return "", err
			}
			if got := string(buf[:n]); got == want {
				return got, nil
			}
			// A late answer to an earlier try (or an earlier line): not ours, keep waiting.
		}
	}
	return "", fmt.Errorf("no reply after %d tries", tries)
}
