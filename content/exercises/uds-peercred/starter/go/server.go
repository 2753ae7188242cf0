// uds-peercred starter: a Unix stream echo server on SOCKET that should serve one user only.
// Today it welcomes everybody. TODO:
//  1. right after Accept, ask the kernel who connected: through conn.(*net.UnixConn).SyscallConn()
//     and its Control method, syscall.GetsockoptUcred(fd, syscall.SOL_SOCKET, syscall.SO_PEERCRED)
//     on the accepted connection gives the peer's pid, uid and gid;
//  2. the server's own uid (os.Getuid()) gets "welcome uid <uid>\n" and the echo below;
//     any other uid gets "refused uid <uid>\n" and the connection closes at once.
//
// Build: go build -o server server.go
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: server SOCKET")
		os.Exit(2)
	}
	path := os.Args[1]
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
		go func() {
			defer conn.Close()
			fmt.Fprintf(conn, "welcome\n")
			lines := bufio.NewScanner(conn)
			for lines.Scan() {
				fmt.Fprintf(conn, "echo: %s\n", lines.Text())
			}
		}()
	}
}
