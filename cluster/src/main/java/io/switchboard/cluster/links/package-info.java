/**
 * Node-to-node links beside the cluster: soft, frequent rendezvous traffic between the members over plain Aeron
 * publications and subscriptions (never the Raft log), with heartbeats and peer liveness. {@link
 * io.switchboard.cluster.links.LinksContext} says how links are addressed; {@link
 * io.switchboard.cluster.links.NodeLinks} is the transport its owner thread drives.
 */
package io.switchboard.cluster.links;
