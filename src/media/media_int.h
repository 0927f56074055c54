/* media_int.h — what every file of src/media shares: the naming scheme,
 * the audio format, and how media.c starts, configures and stops each part.
 * Internal: any file of src/media may include it, nothing outside does
 * (the module's public face is media.h; unit tests excepted).
 *
 * Names: every non-static symbol of src/media starts with media_ (types
 * struct media_..., macros MEDIA_...), then the part it belongs to:
 *   media_chan_      per-channel media state, generators, taps
 *                    (media_chan.c)
 *   media_frame_     a 20 ms frame, linear and/or G.711 (media_chan.c)
 *   media_g711_      G.711 in and out of linear (media_chan.c)
 *   media_snap_      referenced snapshots of lists to walk (media_chan.c)
 *   media_tick_      the 20 ms clock (tick.c)
 *   media_session_   an RTP session (session.c; media.h has the public ones)
 *   media_sdp_, media_rtcp_, media_dtmf_, media_jb_
 *                    the session's SDP, RTCP, RFC 4733 and jitter buffer
 *                    (sdp.c, rtcp.c, dtmf.c, jitter.c)
 *   media_sound_     sound files: lookup, WAV reader, cache (sound.c)
 *   media_tone_      tone programs (tones.c)
 *   media_say_       say: prompt lists (say.c)
 *   media_src_       media URIs as audio sources (source.c)
 *   media_player_    the player generator (player.c)
 *   media_moh_, media_silence_
 *                    music on hold and silence generators (moh.c)
 *   media_apps_rtp_, media_apps_play_
 *                    dialplan applications (apps_rtp.c, apps_play.c)
 *   media_bridge_    the audio of bridges: relay, mixing, taps on a
 *                    bridge (bridge_mix.c)
 *   media_snoop_     the Snoop channel technology (snoop.c)
 *   media_recorder_, media_recfile_, media_rec_silence_
 *                    recordings: the engine of the core's live
 *                    recordings, the files, silence detection
 *                    (recorder.c, recorder_file.c, recorder_silence.c)
 *   media_playback_  the engine of the core's playback objects
 *                    (playback_engine.c)
 *
 * Headers, and who includes them:
 *   media.h         public: src/sip, main.c
 *   media_int.h     this one: every file of src/media
 *   media_chan.h    files that put audio on a channel or take it off
 *   media_bridge.h  the bridge engine's: bridge_mix.c, playback_engine.c,
 *                   recorder.c, media.c
 *   recorder_int.h  the recordings' files: recorder*.c, media.c
 *   session_int.h   the RTP session's files: session.c, sdp.c, rtcp.c,
 *                   dtmf.c, jitter.c
 *   playback_int.h  the playback side: sound.c, tones.c, say.c, source.c,
 *                   player.c, moh.c, apps_play.c, playback_engine.c
 * A part's start, stop and configuration entries are below; the rest of
 * its names are in the header of its side.
 *
 * Files, lowest first: a file calls only files on the lines above its own
 * (files on one line do not call each other; scripts/check-layers checks
 * that no cycle comes back):
 *   jitter.c dtmf.c rtcp.c       parts of an RTP session
 *   sdp.c                        offer/answer (starts RTCP)
 *   media_chan.c                 per-channel state: generators, received
 *                                frames, transport
 *   session.c tick.c             the RTP session (a transport); the clock
 *   sound.c tones.c say.c        prompt files, tone programs, prompt lists
 *   source.c                     media URIs as audio
 *   player.c moh.c apps_rtp.c    generators (Echo and SendDTMF in apps_rtp)
 *   apps_play.c bridge_mix.c     Playback, Progress, Ringing; the bridge
 *                                engine (relay, mixing, bridge MOH, taps)
 *   snoop.c                      the Snoop channel (a tap and a transport)
 *   recorder_file.c recorder_silence.c
 *                                recording files; silence detection
 *   recorder.c                   the engine of the core's recordings
 *   playback_engine.c            the engine of the core's playback objects
 *                                (channel and bridge playbacks)
 *   media.c                      start and stop of all the above
 *
 * Audio inside ariadne is 8 kHz signed 16-bit linear, 20 ms = 160 samples. */
#ifndef ARIADNE_MEDIA_INT_H
#define ARIADNE_MEDIA_INT_H

#include <stdint.h>

#define MEDIA_SRATE 8000
#define MEDIA_PTIME 20
#define MEDIA_FRAME 160   /* samples per tick */

/* The codecs we speak, by their static RTP payload type (RFC 3551), and
 * "not encoded" for a frame that is linear audio only. */
enum media_codec {
	MEDIA_PCMU = 0,
	MEDIA_PCMA = 8,
	MEDIA_CODEC_NONE = -1,
};

/* ---- start and stop, in the order media_init() calls them; only media.c
 * calls these ---- */

/* media_chan.c: the hangup hook that frees a channel's media state; close
 * detaches what is left. */
int media_chan_init(void);
void media_chan_close(void);

/* tick.c */
int media_tick_start(void);
void media_tick_stop(void);

/* snoop.c: the Snoop channel technology. */
int media_snoop_init(void);

/* apps_rtp.c: Echo, SendDTMF. */
int media_apps_rtp_init(void);
void media_apps_rtp_close(void);

/* moh.c: reads musiconhold.conf. */
int media_moh_init(void);
void media_moh_close(void);

/* apps_play.c: Playback, Progress, Ringing. */
int media_apps_play_init(void);

/* playback_engine.c: registers with the core's playback objects. */
int media_playback_init(void);
void media_playback_close(void);

/* bridge_mix.c (media_bridge.h): media_bridge_init, media_bridge_close. */

/* ---- configuration from ariadne.conf (read and checked by media.c) ---- */

/* session.c: the range RTP sessions take their ports from ([options]
 * rtpstart/rtpend). */
void media_session_port_range(uint16_t min, uint16_t max);
/* sound.c: where prompts live ([directories] astsoundsdir); NULL or empty
 * for the default. */
void media_sound_set_dir(const char *dir);
/* One warning at start when the sounds directory has no prompt for `lang`
 * (the default language): every sound: playback would fail. */
void media_sound_check(const char *lang);

#endif
