/* log.h - one event per line on stderr: time, level, stage, message and
 * key=value fields. Every process logs through this; nothing here may ever
 * be handed a national id (the validator masks, later stages never see one). */
#ifndef KH_LOG_H
#define KH_LOG_H

typedef enum { KH_LOG_DEBUG = 0, KH_LOG_INFO, KH_LOG_WARN, KH_LOG_ERROR } kh_log_level_t;

/* Names this process in every line ("validate.1"). Copied. Also reads the
 * environment: KOHORT_LOG_FORMAT=json writes one JSON object per line
 * (time, level, stage, event and the message's key=value fields); when
 * JOURNAL_STREAM names this stderr (systemd), lines start with the syslog
 * priority ("<3>" for errors) so that journalctl -p err finds them. */
void kh_log_init(const char *stage, kh_log_level_t min_level);

/* Logs `fmt` (printf-style: by convention "event key=value key=value").
 * Lines below the minimum level are dropped. */
void kh_log(kh_log_level_t level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define kh_info(...) kh_log(KH_LOG_INFO, __VA_ARGS__)
#define kh_warn(...) kh_log(KH_LOG_WARN, __VA_ARGS__)
#define kh_error(...) kh_log(KH_LOG_ERROR, __VA_ARGS__)
#define kh_debug(...) kh_log(KH_LOG_DEBUG, __VA_ARGS__)

#endif
