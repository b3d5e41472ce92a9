/**
 * The replicated registry log: one Aeron Cluster node per appliance, the command envelope, the deterministic
 * state machine seam shared by the local and the clustered path, and the gateway that owns the cluster client.
 */
package io.switchboard.cluster;
