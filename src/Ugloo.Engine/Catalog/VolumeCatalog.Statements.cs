using Microsoft.Data.Sqlite;

namespace Ugloo.Engine.Catalog;

/// <summary>Statements the mount runs thousands of times a second, prepared once per connection.</summary>
public sealed partial class VolumeCatalog
{
    // By SQL text; disposed with the connection.
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    /// <summary>
    /// The command for <paramref name="sql"/>, prepared on its first use and kept, with <paramref name="transaction"/>
    /// and the parameter values set (always the same names in the same order for one statement). Lookups, closes,
    /// unlinks and the members of a pack each run a few statements; parsing them again every time cost as much
    /// as running them.
    /// </summary>
    private SqliteCommand Statement(string sql, SqliteTransaction? transaction, params ReadOnlySpan<(string Name, object? Value)> values)
    {
        if (!_statements.TryGetValue(sql, out SqliteCommand? command))
        {
            command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach ((string name, _) in values)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }

            command.Prepare();
            _statements.Add(sql, command);
        }

        command.Transaction = transaction;
        for (int i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i].Value ?? DBNull.Value;
        }

        return command;
    }
}
