package dev.quiver.contract.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import dev.quiver.contract.config.EventsConfig;
import dev.quiver.contract.event.TopicPatterns;

/** Resolves the retention limits of a topic from the defaults and the per-pattern overrides. */
@ApplicationScoped
public class RetentionPolicy {

    /**
     * Effective limits of one topic.
     *
     * @param maxLen approximate count kept, 0 for unlimited
     * @param maxAge approximate age kept, {@link Duration#ZERO} for unlimited
     */
    public record Limits(long maxLen, Duration maxAge) {

        public Limits {
            if (maxLen < 0 || maxAge.isNegative()) {
                throw new IllegalArgumentException("retention limits must not be negative: " + maxLen + ", " + maxAge);
            }
        }
    }

    private record Override(String glob, TopicPatterns pattern, Limits limits) {
    }

    private final Limits defaults;
    private final List<Override> overrides;

    public RetentionPolicy(EventsConfig config) {
        EventsConfig.Retention retention = config.retention();
        this.defaults = new Limits(retention.defaults().maxLen(), retention.defaults().maxAge());
        List<Override> list = new ArrayList<>();
        for (Map.Entry<String, EventsConfig.OverrideLimits> entry : retention.topics().entrySet()) {
            EventsConfig.OverrideLimits limits = entry.getValue();
            list.add(new Override(entry.getKey(), TopicPatterns.of(List.of(entry.getKey())), new Limits(
                    limits.maxLen().orElse(defaults.maxLen()), limits.maxAge().orElse(defaults.maxAge()))));
        }
        // Most specific first; equal lengths in name order so that the choice never depends on map iteration.
        list.sort(Comparator.comparingInt((Override o) -> -o.glob().length()).thenComparing(Override::glob));
        this.overrides = List.copyOf(list);
    }

    /** The limits that apply to {@code topic}. */
    public Limits limitsFor(String topic) {
        for (Override override : overrides) {
            if (override.pattern().matches(topic)) {
                return override.limits();
            }
        }
        return defaults;
    }
}
