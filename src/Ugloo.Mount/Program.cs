using System.CommandLine;
using Ugloo.Mount.Cli;

try
{
    return await UglooCommand.Create().Parse(args).InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"ugloo: {ex.Message}");
    return 2;
}
catch (OperationCanceledException)
{
    Console.Error.WriteLine("ugloo: cancelled");
    return 130;
}
