/** Enrollment records (pk `p#<profileId>`, sk `exec#<scenarioId>`): one per person and scenario. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { profilePk } from '../../profiles/domain/profile.js';
import { type EnrollmentRecord, type EnrollmentStatus, enrollmentSk } from '../domain/enrollment.js';

export class EnrollmentStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(profileId: string, scenarioId: string): Promise<EnrollmentRecord | undefined> {
    const res = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: profilePk(profileId), sk: enrollmentSk(scenarioId) }, ConsistentRead: true }),
    );
    return res.Item as EnrollmentRecord | undefined;
  }

  /**
   * Records a new enrollment if the record is still the one decided on (`previous`): of two triggers
   * racing for one person, exactly one wins. False when another enrollment got there first.
   */
  async claim(profileId: string, scenarioId: string, record: EnrollmentRecord, previous: EnrollmentRecord | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: profilePk(profileId), sk: enrollmentSk(scenarioId), profileId, scenarioId, ...record },
          ConditionExpression: previous ? 'executionName = :prev' : 'attribute_not_exists(pk)',
          ...(previous ? { ExpressionAttributeValues: { ':prev': previous.executionName } } : {}),
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Sets the status of that execution's record if it is still running (a later status never goes back). */
  async finish(profileId: string, scenarioId: string, executionName: string, status: EnrollmentStatus, at: string): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: profilePk(profileId), sk: enrollmentSk(scenarioId) },
          UpdateExpression: 'SET #status = :status, endedAt = :at',
          ConditionExpression: 'executionName = :name AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':name': executionName, ':running': 'running' },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }
}
