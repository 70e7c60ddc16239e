import Foundation

/// The few statistics the verdicts need.
enum Statistics {
    /// One-sided Fisher exact test: the probability of seeing at least `failures` of `attempts`
    /// failing in the group, given the combined failure rate with the comparison group.
    static func fisherOneSided(failures: Int, attempts: Int, otherFailures: Int, otherAttempts: Int) -> Double {
        let total = attempts + otherAttempts
        let totalFailures = failures + otherFailures
        guard attempts > 0, otherAttempts > 0 else { return 1 }
        let upper = min(attempts, totalFailures)
        var p = 0.0
        var k = failures
        while k <= upper {
            p += exp(logChoose(totalFailures, k) + logChoose(total - totalFailures, attempts - k) - logChoose(total, attempts))
            k += 1
        }
        return min(1, p)
    }

    static func logChoose(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return -.infinity }
        return lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
