// socketpair + a child process + SCM_RIGHTS: a parent hands its child an open file with no name.
//
// Shows: syscall.Socketpair (a connected pair with no address), giving one end to a child
// process (Go cannot fork, so the program starts itself again with the end as its descriptor 3,
// via exec.Cmd.ExtraFiles, and wraps it with os.NewFile and net.FileConn), sending descriptors
// with WriteMsgUnix and syscall.UnixRights, receiving them with ReadMsgUnix and
// syscall.ParseUnixRights, closing every one that came, MSG_CTRUNC, and SCM_MAX_FD.
//
// Build: go build -o fdpass fdpass.go
// Run:   ./fdpass
package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"syscall"
)

func die(what string, err error) {
	fmt.Fprintf(os.Stderr, "%s failed: %v\n", what, err)
	os.Exit(1)
}

// fileConn wraps a raw socket descriptor as a *net.UnixConn (FileConn dups it: close the File).
func fileConn(fd int, name string) *net.UnixConn {
	f := os.NewFile(uintptr(fd), name)
	c, err := net.FileConn(f)
	if err != nil {
		die("FileConn", err)
	}
	f.Close()
	return c.(*net.UnixConn)
}

// sendFds sends the byte 'F' with fds attached: a stream socket sends no control message alone.
func sendFds(c *net.UnixConn, fds ...int) error {
	_, _, err := c.WriteMsgUnix([]byte("F"), syscall.UnixRights(fds...), nil)
	return err
}

func main() {
	if len(os.Args) == 2 && os.Args[1] == "child" {
		child(fileConn(3, "socketpair end"))
		return
	}
	pair, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		die("socketpair", err)
	}
	parent := fileConn(pair[0], "parent end")

	// A file with no name: created, then removed at once. Nobody can open it by path any more.
	file, err := os.CreateTemp("", "socketlab-fdpass-")
	if err != nil {
		die("create", err)
	}
	if err := os.Remove(file.Name()); err != nil {
		die("remove", err)
	}
	if _, err := file.WriteString("written by the parent, into a file with no name"); err != nil {
		die("write", err)
	}
	fd := int(file.Fd())

	// The kernel refuses more than SCM_MAX_FD (253) descriptors in one message.
	many := make([]int, 254)
	for i := range many {
		many[i] = fd
	}
	if err := sendFds(parent, many...); err == nil {
		fmt.Fprintln(os.Stderr, "254 descriptors in one message were accepted: a kernel without SCM_MAX_FD = 253?")
		os.Exit(1)
	} else {
		fmt.Printf("parent: 254 descriptors in one message: %v\n", err)
	}

	// The child gets the other end as its descriptor 3; we close our copy of it once it started.
	self, err := os.Executable()
	if err != nil {
		die("finding this program", err)
	}
	childEnd := os.NewFile(uintptr(pair[1]), "child end")
	cmd := exec.Command(self, "child")
	cmd.Stdout, cmd.Stderr, cmd.ExtraFiles = os.Stdout, os.Stderr, []*os.File{childEnd}
	if err := cmd.Start(); err != nil {
		die("starting the child", err)
	}
	childEnd.Close()

	fmt.Printf("parent: sending descriptor %d of a deleted file\n", fd)
	if err := sendFds(parent, fd); err != nil {
		die("sendmsg", err)
	}
	waitForChild(parent)
	// syscall.CmsgSpace(4) is 24 bytes on amd64: its padding fits a second int, so 2
	// descriptors still arrive whole. The third does not fit.
	fmt.Println("parent: sending 3 descriptors in one message")
	if err := sendFds(parent, fd, fd, fd); err != nil {
		die("sendmsg", err)
	}
	waitForChild(parent)
	file.Close()
	parent.Close()
	if err := cmd.Wait(); err != nil {
		die("the child", err)
	}
}

// waitForChild waits for the child's "k", so that the two processes' lines come out in order.
func waitForChild(c *net.UnixConn) {
	if _, err := c.Read(make([]byte, 1)); err != nil {
		die("waiting for the child", err)
	}
}

func child(c *net.UnixConn) {
	for {
		// Room for one descriptor, as in the C version. Go asks for MSG_CMSG_CLOEXEC itself.
		buf, oob := make([]byte, 1), make([]byte, syscall.CmsgSpace(4))
		_, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
		if err != nil {
			fmt.Println("child: parent closed the socket, exiting")
			return
		}
		fds := receivedFds(oob[:oobn])
		note := ""
		if flags&syscall.MSG_CTRUNC != 0 {
			note = "; MSG_CTRUNC: more were sent, the kernel closed those"
		}
		fmt.Printf("child: %d descriptor(s) arrived%s\n", len(fds), note)
		if len(fds) == 0 {
			die("receiving a descriptor", fmt.Errorf("none came")) // the parent always attaches one
		}
		for _, extra := range fds[1:] {
			syscall.Close(extra) // we asked for one: an extra descriptor would leak if kept
		}
		f := os.NewFile(uintptr(fds[0]), "received")
		text := make([]byte, 128)
		n, err := f.ReadAt(text, 0) // from the start: the offset is shared with the parent
		if n == 0 && err != nil {
			die("read", err)
		}
		fmt.Printf("child: got descriptor %d, it reads %q\n", fds[0], text[:n])
		f.Close() // ours to close: every received descriptor is a new one in this process
		if _, err := c.Write([]byte("k")); err != nil {
			die("write", err)
		}
	}
}

// receivedFds returns every descriptor in the SCM_RIGHTS messages of oob.
func receivedFds(oob []byte) []int {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		die("parsing control messages", err)
	}
	var fds []int
	for _, m := range msgs {
		if got, err := syscall.ParseUnixRights(&m); err == nil {
			fds = append(fds, got...)
		}
	}
	return fds
}
