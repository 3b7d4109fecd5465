/* proto.h: wire protocol, not written yet. */
#ifndef PROTO_H
#define PROTO_H
#endif
