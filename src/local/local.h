/* local.h — Local/ channels: `Local/exten@context[/n]` makes a pair of
 * channels, ;1 (the one that was called) and ;2 (which runs the dialplan at
 * exten@context). Answer, ringing and hangup cross from one half to the
 * other. */
#ifndef ARIADNE_LOCAL_H
#define ARIADNE_LOCAL_H

int local_init(void);

#endif
