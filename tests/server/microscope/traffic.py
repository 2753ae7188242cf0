# Loopback traffic for the pcap parser's test: a TCP exchange over IPv4 and IPv6, and a UDP
# datagram to a closed port (which the kernel answers with ICMP port unreachable).
import socket

for family, host in ((socket.AF_INET, '127.0.0.1'), (socket.AF_INET6, '::1')):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.bind((host, 0))
    server.listen()
    client = socket.create_connection((host, server.getsockname()[1]))
    conn, _ = server.accept()
    client.sendall(b'hello\x00\xff')
    conn.recv(100)
    conn.sendall(b'HELLO')
    client.recv(100)
    client.close()
    conn.close()
    server.close()

udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.connect(('127.0.0.1', 9))
udp.send(b'anyone?')
try:
    udp.recv(10)
except ConnectionRefusedError:
    pass
