import {
  DataTypeNode,
  GeneratedNode,
  OperationNodeTransformer,
  type ColumnDefinitionNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryId,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

/**
 * The server's migrations are written once, in the types SQLite knows. On PostgreSQL they run
 * through this plugin, which translates the two that PostgreSQL spells otherwise: `blob` is
 * `bytea`, and an `integer primary key autoincrement` is an identity column. Everything else
 * they use (text, integer, primary keys, unique, references, indexes, renames) means the same
 * on both. SQLite never sees this plugin, so what an existing SQLite database gets is unchanged.
 */
export class PostgresSchemaPlugin implements KyselyPlugin {
  private readonly transformer = new PortableDdlTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    // Only table definitions carry column types. Every other statement passes untouched: the
    // transformer rebuilds the whole tree it is given, which cost each query the server sends.
    if (args.node.kind !== 'CreateTableNode' && args.node.kind !== 'AlterTableNode') return args.node;
    return this.transformer.transformNode(args.node, args.queryId);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class PortableDdlTransformer extends OperationNodeTransformer {
  protected override transformDataType(node: DataTypeNode): DataTypeNode {
    return node.dataType === 'blob' ? DataTypeNode.create('bytea') : node;
  }

  protected override transformColumnDefinition(node: ColumnDefinitionNode, queryId?: QueryId): ColumnDefinitionNode {
    const column = super.transformColumnDefinition(node, queryId);
    if (!column.autoIncrement) return column;
    return { ...column, autoIncrement: false, generated: GeneratedNode.create({ byDefault: true, identity: true }) };
  }
}
