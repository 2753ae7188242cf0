// SOCK_SEQPACKET in Go ("unixpacket"): a connection that keeps message boundaries. One process
// plays both ends.
//
// Shows: net.ListenUnix/DialUnix with "unixpacket"; each Write is one message and each read
// returns at most one; ReadMsgUnix reports MSG_TRUNC when a message did not fit (its rest is
// discarded); and that Go (1.23) reports an empty message as io.EOF, exactly like the peer
// closing, because the kernel returns 0 bytes for both.
//
// Build: go build -o seqpacket seqpacket.go
// Run:   ./seqpacket
package main

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

func die(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s failed: %v\n", what, err)
	os.Exit(1)
}

func send(c *net.UnixConn, text string) {
	// One Write is one message: all of it or an error, never part of it.
	if _, err := c.Write([]byte(text)); err != nil {
		die("write", err)
	}
}

// receive reads one message into room bytes with ReadMsgUnix, which reports the kernel's flags.
func receive(c *net.UnixConn, room int) {
	buf := make([]byte, room)
	n, _, flags, _, err := c.ReadMsgUnix(buf, nil)
	if err != nil {
		fmt.Printf("ReadMsgUnix into %d bytes: %v\n", room, err)
		return
	}
	note := ""
	if flags&syscall.MSG_TRUNC != 0 {
		note = " (MSG_TRUNC: the rest of this message is gone)"
	}
	fmt.Printf("ReadMsgUnix into %d bytes: %d bytes %q%s\n", room, n, buf[:n], note)
}

func main() {
	// An abstract name ('@' = the leading NUL) with our pid in it: no file, no clash with another run.
	addr := &net.UnixAddr{Name: fmt.Sprintf("@socketlab-seqpacket-%d", os.Getpid()), Net: "unixpacket"}
	ln, err := net.ListenUnix("unixpacket", addr)
	if err != nil {
		die("listen", err)
	}
	client, err := net.DialUnix("unixpacket", nil, addr)
	if err != nil {
		die("dial", err)
	}
	server, err := ln.AcceptUnix()
	if err != nil {
		die("accept", err)
	}
	ln.Close()

	// Three messages back to back: a stream would hand them over as "helloworld!".
	send(client, "hello")
	send(client, "world")
	send(client, "!")
	fmt.Println(`sent "hello", "world", "!"`)
	for range 3 {
		receive(server, 64)
	}

	// A 26-byte message read with 10 bytes of room: the other 16 are discarded.
	send(client, "abcdefghijklmnopqrstuvwxyz")
	send(client, "next")
	fmt.Println(`sent "abcdefghijklmnopqrstuvwxyz", "next"`)
	receive(server, 10)
	receive(server, 64)

	// An empty message is a real message, but it reads as 0 bytes, which Go calls io.EOF.
	send(client, "")
	fmt.Println(`sent "" (0 bytes)`)
	receive(server, 64)
	client.Close()
	fmt.Println("client closed")
	receive(server, 64)
	server.Close()
}
