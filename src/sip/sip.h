/* sip.h — the SIP module (chan_pjsip's role): endpoints from pjsip.conf,
 * registrar, qualify, calls in and out as PJSIP/ channels, out-of-call
 * MESSAGE. Public face for main.c only. */
#ifndef ARIADNE_SIP_H
#define ARIADNE_SIP_H

struct config;

/* `pjsip` may be NULL: embedded default, UDP on 127.0.0.1:5060 and no
 * endpoints. */
int sip_module_init(const struct config *pjsip);
void sip_module_close(void);

#endif
