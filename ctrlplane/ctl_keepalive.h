/* SPDX-License-Identifier: BSD-3-Clause */
/* NAT keep-alive on the control plane (issue 6): per-worker state, capacity warning (KA-7). */
#ifndef SF_CTL_KEEPALIVE_H
#define SF_CTL_KEEPALIVE_H

struct daemon;

/** Before launch, after ctl_registrar_start(): every worker's scheduler and TX. 0 or -errno. */
int ctl_keepalive_start(struct daemon *d);

/** After the workers stopped, before ctl_registrar_stop(). */
void ctl_keepalive_stop(struct daemon *d);

/** Main loop: warn when the keep-alive overrun counter grew since the last call (KA-7). */
void ctl_keepalive_watch(struct daemon *d);

#endif
