package dev.quiver.contract.security;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

/**
 * The audit trail of refused credentials: one structured line per failure on the {@code dev.quiver.audit} category,
 * at most {@link AuthConfig#auditLinesPerSecond()} per second so that a flood of bad attempts cannot flood the logs;
 * each line reports how many were suppressed before it. Lines never carry a credential, only its kind and the
 * identity it proved (a key's name, a verified token's subject).
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger("dev.quiver.audit");

    private final int perSecond;
    private final AtomicLong window = new AtomicLong();
    private final AtomicInteger inWindow = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    public AuditLog(AuthConfig config) {
        this.perSecond = config.auditLinesPerSecond();
    }

    /**
     * Records a refusal.
     *
     * @param status 401, 403 or 429
     * @param reason a stable slug such as {@code expired} or {@code topic-not-allowed}
     * @param subject the proven identity, or {@code null}
     * @param caller where the attempt came from
     */
    public void refused(int status, String reason, String subject, Caller caller) {
        long second = System.currentTimeMillis() / 1000;
        long current = window.get();
        // Only forward: a thread still holding an older second must not reopen the window.
        if (second > current && window.compareAndSet(current, second)) {
            inWindow.set(0);
        }
        if (inWindow.incrementAndGet() > perSecond) {
            suppressed.incrementAndGet();
            return;
        }
        long dropped = suppressed.getAndSet(0);
        String shownSubject = subject == null ? "-" : quote(subject);
        // The same facts as structured fields: JSON logs (docs/operations.md) carry them in "mdc", so a log pipeline
        // filters refusals by reason or address without parsing the message.
        String[][] fields = {{"audit.status", Integer.toString(status)}, {"audit.reason", reason},
                {"audit.subject", shownSubject}, {"audit.ip", caller.ip()}, {"audit.transport", caller.transport()},
                {"audit.path", caller.path()}, {"audit.suppressed", Long.toString(dropped)}};
        for (String[] field : fields) {
            MDC.put(field[0], field[1]);
        }
        try {
            LOG.warnf("auth-refused status=%d reason=%s subject=%s ip=%s transport=%s path=%s suppressed=%d", status,
                    reason, shownSubject, caller.ip(), caller.transport(), caller.path(), dropped);
        } finally {
            for (String[] field : fields) {
                MDC.remove(field[0]);
            }
        }
    }

    /** Subjects come from verified tokens, but are still caller-chosen text: keep them on one line. */
    private static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length() && i < 200; i++) {
            char c = value.charAt(i);
            out.append(c < 0x20 || c == '"' || c == '\\' || c == 0x7f ? '?' : c);
        }
        return out.append('"').toString();
    }
}
