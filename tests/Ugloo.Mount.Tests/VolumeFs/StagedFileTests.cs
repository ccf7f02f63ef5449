using Ugloo.Engine;
using Ugloo.Mount.Tests.Cluster;
using Ugloo.Mount.VolumeFs;

namespace Ugloo.Mount.Tests.VolumeFs;

/// <summary>
/// A small staged copy lives in memory (its journal row keeps its bytes), so writing many small files costs
/// no file creations under DATA/staging/; whatever grows, runs out of budget or must be kept goes to disk
/// with every byte intact.
/// </summary>
public sealed class StagedFileTests : IDisposable
{
    private const long Limit = 128 * 1024;
    private readonly string _directory = Directory.CreateTempSubdirectory("ugloo-staged-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_small_copy_reads_back_with_holes_and_truncations_as_zeros_and_leaves_no_file()
    {
        var memory = new ByteBudget(VolumeFileSystem.StagingMemoryBytes);
        var model = new byte[9000];
        using (StagedFile staged = StagedFile.Create(_directory, memory, Limit))
        {
            staged.Write(0, Fill(model, 0, 3000, 1));
            staged.Write(6000, Fill(model, 6000, 3000, 2)); // a hole from 3000 to 6000
            Assert.Equal(model, ReadAll(staged));

            staged.SetLength(1000);
            Array.Clear(model, 1000, model.Length - 1000);
            staged.SetLength(9000); // the cut bytes must come back as zeros, as a file's would
            Assert.Equal(model, ReadAll(staged));

            using (Stream read = staged.OpenRead())
            {
                var copy = new MemoryStream();
                read.CopyTo(copy);
                Assert.Equal(model, copy.ToArray());
            }

            Assert.True(staged.InMemory);
            Assert.True(memory.Used > 0);
            Assert.Empty(Directory.GetFiles(_directory));
        }

        Assert.Equal(0, memory.Used);
    }

    [Fact]
    public void A_copy_that_grows_past_the_limit_moves_to_an_owner_only_file_with_every_byte()
    {
        var memory = new ByteBudget(VolumeFileSystem.StagingMemoryBytes);
        var model = new byte[Limit + 5000];
        string path;
        using (StagedFile staged = StagedFile.Create(_directory, memory, Limit))
        {
            for (int offset = 0; offset < model.Length; offset += 4096)
            {
                staged.Write(offset, Fill(model, offset, Math.Min(4096, model.Length - offset), (byte)(offset / 4096)));
            }

            Assert.False(staged.InMemory);
            Assert.Equal(0, memory.Used);
            path = staged.FilePath;
            Assert.Equal(model, File.ReadAllBytes(path));
            Assert.Equal(model, ReadAll(staged));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        }

        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Once_the_budget_is_spent_new_copies_go_to_disk_and_a_released_copy_frees_its_share()
    {
        var memory = new ByteBudget(16 * 1024);
        using StagedFile first = StagedFile.Create(_directory, memory, Limit);
        first.Write(0, new byte[12 * 1024]);
        using StagedFile second = StagedFile.Create(_directory, memory, Limit);
        second.Write(0, Fill(new byte[8 * 1024], 0, 8 * 1024, 7));

        Assert.True(first.InMemory);
        Assert.False(second.InMemory);
        Assert.Equal(Fill(new byte[8 * 1024], 0, 8 * 1024, 7), File.ReadAllBytes(second.FilePath));

        first.Dispose();
        Assert.Equal(0, memory.Used);
        using StagedFile third = StagedFile.Create(_directory, memory, Limit);
        third.Write(0, new byte[12 * 1024]);
        Assert.True(third.InMemory);
    }

    [Fact]
    public void A_copy_that_must_be_kept_is_written_out_and_can_be_adopted_after_a_restart()
    {
        var memory = new ByteBudget(VolumeFileSystem.StagingMemoryBytes);
        byte[] content = Fill(new byte[5000], 0, 5000, 9);
        string path;
        using (StagedFile staged = StagedFile.Create(_directory, memory, Limit))
        {
            staged.Write(0, content);
            staged.Keep = true;
            path = staged.FilePath;
        }

        using StagedFile adopted = StagedFile.Adopt(path);
        Assert.Equal(content, ReadAll(adopted));
    }

    [Fact]
    public void A_copy_down_in_pieces_keeps_every_piece_when_the_buffer_grows_and_when_it_moves_to_disk()
    {
        // A packed file whose bytes cross a pack segment boundary is copied down in two fills before its length
        // is set: the second fill grows the buffer, and the first must survive that (and a spill to disk).
        byte[] content = TestFiles.RandomBytes(10_000, seed: 7);
        var memory = new ByteBudget(VolumeFileSystem.StagingMemoryBytes);
        foreach (bool spillBetween in new[] { false, true })
        {
            using StagedFile staged = StagedFile.Create(_directory, memory, Limit);
            staged.Fill(0, content.AsSpan(0, 3000));
            if (spillBetween)
            {
                _ = staged.Handle; // the object writer may ask for the file before the length is set
            }

            staged.Fill(3000, content.AsSpan(3000));
            staged.Loaded(content.Length);
            Assert.Equal(!spillBetween, staged.InMemory);
            Assert.Equal(content, ReadAll(staged));
        }

        // Extended past the last write, then spilled: the hole stays a hole of zeros, the length is kept.
        using (StagedFile staged = StagedFile.Create(_directory, memory, Limit))
        {
            staged.Write(0, content.AsSpan(0, 100));
            staged.SetLength(5000);
            staged.Keep = true;
            byte[] expected = new byte[5000];
            content.AsSpan(0, 100).CopyTo(expected);
            Assert.Equal(expected, File.ReadAllBytes(staged.FilePath));
            staged.Keep = false;
        }
    }

    [Fact]
    public void Reading_a_released_copy_fails_as_a_closed_file_does()
    {
        // Reopening a queued file copies from the journal's copy; the journal may release it meanwhile, and the
        // copy-down then starts over from the recorded version instead.
        StagedFile staged = StagedFile.Create(_directory, new ByteBudget(VolumeFileSystem.StagingMemoryBytes), Limit);
        staged.Write(0, new byte[100]);
        staged.Dispose();
        Assert.Throws<ObjectDisposedException>(() => staged.Read(0, new byte[100]));
    }

    private static byte[] Fill(byte[] model, int offset, int count, byte value)
    {
        model.AsSpan(offset, count).Fill(value);
        return model[offset..(offset + count)];
    }

    private static byte[] ReadAll(StagedFile staged)
    {
        byte[] all = new byte[staged.Length];
        Assert.Equal(all.Length, staged.Read(0, all));
        return all;
    }
}
