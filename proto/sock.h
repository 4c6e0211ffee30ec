/* sock.h - ZeroMQ socket set-up and message transfer for every stage.
 *
 * Endpoints live in the run's private directory (ipc://DIR/NAME). Data
 * sockets are PUSH/PULL with small high-water marks (PUSH blocks when full:
 * that is the back-pressure, nothing is ever dropped), ZMQ_IMMEDIATE on
 * connecting sockets and a bounded linger. Owns the process's one context. */
#ifndef KH_SOCK_H
#define KH_SOCK_H

#include <stddef.h>

#include "proto/msg.h"

/* Borrowed: the process-wide context, created on first use; NULL (errno
 * set) when ZeroMQ cannot make one, which the caller reports as it reports
 * a socket it cannot open. */
void *kh_sock_ctx(void);

/* Terminates the context (call once at exit, after closing sockets). */
void kh_sock_term(void);

/* Writes "ipc://DIR/NAME" into buf. Returns 0, or -ENAMETOOLONG when the
 * path would exceed the 107 bytes an ipc path may have. */
int kh_sock_endpoint(char *buf, size_t cap, const char *dir, const char *name);

/* Opens a socket of `type` (ZMQ_PUSH, ZMQ_PULL) and binds (bind = 1) or
 * connects it to `endpoint` (NULL: neither, for kh_sock_watch first).
 * Returns the socket or NULL (errno set). */
void *kh_sock_open(int type, const char *endpoint, int bind);

/* Connects an open socket to one more endpoint. Returns 0 or -errno. */
int kh_sock_connect(void *sock, const char *endpoint);

/* Closes a socket and sets *sock to NULL; accepts NULL. */
void kh_sock_close(void **sock);

/* Sends a packed message, taking over packed->data (zero-copy). Blocks
 * while the peer is full; returns 0, -EINTR when a signal interrupted the
 * wait (the message is then freed and not sent), or -errno. */
int kh_sock_send(void *sock, kh_packed_t *packed);

/* Test builds only: when the environment names a directory in KOHORT_TAP,
 * every message this process receives is also appended, raw, to
 * DIR/NAME.PID.tap (the leak test reads what crossed the sockets). A no-op in
 * other builds. */
void kh_sock_tap(const char *name);

/* Waits up to timeout_ms (-1 = forever) for a message and decodes it into
 * *msg. Returns 0, -EAGAIN on timeout, -EINTR on a signal, KH_E_DECODE for a
 * malformed message (dropped), or -errno. Free *msg with kh_msg_free(). */
int kh_sock_recv(void *sock, kh_msg_t *msg, int timeout_ms);

/* Starts watching `sock` for peers: call before its bind or connect so that
 * no connection is missed. Returns a monitor handle, or NULL (errno set). */
void *kh_sock_watch(void *sock, int bind_side);

/* Waits until `n` peers have connected to (bind side) or been reached from
 * (connect side) the watched socket, for at most timeout_ms, then stops
 * watching and closes *monitor (kh_sock_unwatch). Returns 0, -ETIMEDOUT or
 * -EINTR. */
int kh_sock_wait_peers(void *sock, void **monitor, int n, int bind_side, int timeout_ms);

/* Stops watching `sock` and closes *monitor, setting it to NULL; accepts a
 * NULL *monitor. A stage that fails before kh_sock_wait_peers() must call
 * it before kh_stage_fail(), which closes the stage's sockets and ends the
 * ZeroMQ context: with the monitor open that end waits (test_stage's child
 * waited until its 60-second alarm). */
void kh_sock_unwatch(void *sock, void **monitor);

#endif
