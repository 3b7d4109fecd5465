/* notify.c: placeholder no-ops until the systemd integration is written. */
#include "feedd.h"

void notify_ready(void) {}
void notify_reloading(void) {}
void notify_stopping(void) {}
void notify_status(const char *fmt, ...) {}
uint64_t notify_watchdog_usec(void) { return (0); }
void notify_watchdog(void) {}
int notify_listen_fd(void) { return (-1); }
