/*
 * Byte order: what htons/htonl change, and what a forgotten one does.
 *
 * Shows: this machine's own byte order (x86-64 and most ARM: little-endian) against network
 * byte order (big-endian: most significant byte first), the bytes htons() lays out in memory,
 * and two sockets bound with and without htons(): the second lands on another port entirely.
 * Go (encoding/binary.BigEndian) and Node (Buffer.writeUInt16BE) name the order at every call,
 * and their net packages convert ports and addresses for you.
 *
 * Build: gcc -std=gnu17 -Wall -Wextra -Werror -O2 -o byteorder byteorder.c
 * Run:   ./byteorder 9090
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char *what) {
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* The two bytes of v as they lie in memory, lowest address first. */
static void show_bytes(const char *label, uint16_t v) {
    const unsigned char *b = (const unsigned char *)&v;
    printf("%s = 0x%04x, stored as %02x %02x\n", label, v, b[0], b[1]);
}

/* Binds a TCP socket to 127.0.0.1 with sin_port exactly as given; prints the port it got. */
static void bind_and_show(const char *label, uint16_t sin_port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = sin_port, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "%s: bind to port %u failed: %s\n", label, ntohs(sin_port), strerror(errno));
    } else {
        socklen_t len = sizeof addr;
        if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0) die("getsockname");
        printf("%s: bound to 127.0.0.1:%u\n", label, ntohs(addr.sin_port));
    }
    close(fd);
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    char *end = NULL;
    long port = argc > 1 ? strtol(argv[1], &end, 10) : 9090;
    if (argc > 2 || (argc == 2 && (*end != '\0' || port < 1 || port > 65535))) {
        fprintf(stderr, "usage: byteorder [port]\n");
        return 2;
    }
    uint16_t one = 1;
    printf("host byte order: %s\n", *(unsigned char *)&one == 1 ? "little-endian" : "big-endian");
    show_bytes("port in host order", (uint16_t)port);
    show_bytes("htons(port)       ", htons((uint16_t)port)); /* the wire's order: high byte first */
    bind_and_show("sin_port = htons(port)", htons((uint16_t)port));
    bind_and_show("sin_port = port (htons forgotten)", (uint16_t)port);
    struct in_addr wrong = {.s_addr = INADDR_LOOPBACK}; /* 0x7f000001 without htonl */
    printf("s_addr = 0x7f000001 (htonl forgotten) is %s\n", inet_ntoa(wrong));
    return 0;
}
