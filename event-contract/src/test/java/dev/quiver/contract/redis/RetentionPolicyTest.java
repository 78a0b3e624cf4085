package dev.quiver.contract.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RetentionPolicyTest {

    @Test
    void longestMatchingPatternWinsAndMissingLimitsFallBackToDefaults() {
        RetentionPolicy policy = new RetentionPolicy(TestConfig.defaults()
                .withRetention(100, Duration.ofHours(1))
                .withOverride("orders:*", 5L, null)
                .withOverride("orders:eu:*", null, Duration.ofMinutes(5))
                .withOverride("audit.*.log", 0L, Duration.ZERO));

        assertThat(policy.limitsFor("chat")).isEqualTo(new RetentionPolicy.Limits(100, Duration.ofHours(1)));
        assertThat(policy.limitsFor("orders:us")).isEqualTo(new RetentionPolicy.Limits(5, Duration.ofHours(1)));
        assertThat(policy.limitsFor("orders:eu:1")).isEqualTo(new RetentionPolicy.Limits(100, Duration.ofMinutes(5)));
        assertThat(policy.limitsFor("audit.x.log")).isEqualTo(new RetentionPolicy.Limits(0, Duration.ZERO));
        // Glob characters other than * are literal: '.' does not match any character.
        assertThat(policy.limitsFor("auditxyzlog")).isEqualTo(new RetentionPolicy.Limits(100, Duration.ofHours(1)));
    }
}
