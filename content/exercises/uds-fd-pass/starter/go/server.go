// uds-fd-pass starter: should hand every client an open descriptor of FILE, which the client
// cannot open itself. Today it sends the file's path, which does the client no good. TODO:
//  1. for each client, open FILE read-only (os.Open);
//  2. send the one byte "F" with the descriptor attached: conn.(*net.UnixConn).WriteMsgUnix(
//     []byte("F"), syscall.UnixRights(fd), nil), fd from the file's SyscallConn().Control;
//  3. close your copy of the file (after the send), then the connection.
//
// Build: go build -o server server.go
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: server SOCKET FILE")
		os.Exit(2)
	}
	path, file := os.Args[1], os.Args[2]
	os.Remove(path)
	ln, err := net.Listen("unix", path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Chmod(path, 0o660) // the group may connect
	fmt.Printf("listening on %s\n", path)
	for {
		conn, err := ln.Accept()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			continue
		}
		conn.Write([]byte(file))
		conn.Close()
	}
}
