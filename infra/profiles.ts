import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { mainTable, type KeyDef, type TableDef } from '../functions/shared/resources.js';
import type { DefinedTable } from './nurture-function.js';

/** Profiles, identity links and activity history: the single table of functions/shared/resources.ts. */
export class Profiles extends Construct {
  readonly main: DefinedTable;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.main = { table: tableFromDef(this, mainTable), def: mainTable };
  }
}

function tableFromDef(scope: Construct, def: TableDef): Table {
  const table = new Table(scope, def.id, {
    partitionKey: attribute(def.partitionKey),
    ...(def.sortKey ? { sortKey: attribute(def.sortKey) } : {}),
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: TableEncryption.AWS_MANAGED,
    // Lead history is the product: deleting the stack must never delete it.
    removalPolicy: RemovalPolicy.RETAIN,
    ...(def.ttlAttribute ? { timeToLiveAttribute: def.ttlAttribute } : {}),
  });
  for (const index of def.indexes) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: attribute(index.partitionKey),
      ...(index.sortKey ? { sortKey: attribute(index.sortKey) } : {}),
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...index.include],
    });
  }
  return table;
}

function attribute(key: KeyDef): Attribute {
  return { name: key.name, type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING };
}
