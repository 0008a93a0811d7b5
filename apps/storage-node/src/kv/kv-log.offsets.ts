import { type Admin } from 'kafkajs';
import { KV_LOG_TOPIC, topicName } from '@shardcast/contracts';
import { type KafkaGateway } from '@shardcast/platform';

/** Log-end and log-start offsets of kv.log, asked of the broker. */
export class KvLogOffsets {
  readonly topic: string;
  private readonly admin: Admin;
  private connected: Promise<void> | undefined;

  constructor(gateway: KafkaGateway) {
    this.topic = topicName(KV_LOG_TOPIC.name, gateway.topicPrefix);
    this.admin = gateway.kafka.admin({ retry: { retries: 2 } });
  }

  /** Partition → high watermark (the offset the next record will get). */
  async highWatermarks(): Promise<Map<number, bigint>> {
    await this.connect();
    const offsets = await this.admin.fetchTopicOffsets(this.topic);
    return new Map(offsets.map((entry) => [entry.partition, BigInt(entry.high)]));
  }

  async highWatermark(partition: number): Promise<bigint> {
    const offsets = await this.highWatermarks();
    const high = offsets.get(partition);
    if (high === undefined) throw new Error(`${this.topic} has no partition ${partition}`);
    return high;
  }

  async partitionCount(): Promise<number> {
    await this.connect();
    const metadata = await this.admin.fetchTopicMetadata({ topics: [this.topic] });
    return metadata.topics[0]?.partitions.length ?? 0;
  }

  async disconnect(): Promise<void> {
    if (this.connected === undefined) return;
    this.connected = undefined;
    await this.admin.disconnect();
  }

  private async connect(): Promise<void> {
    this.connected ??= this.admin.connect().catch((error: unknown) => {
      this.connected = undefined;
      throw error;
    });
    await this.connected;
  }
}
