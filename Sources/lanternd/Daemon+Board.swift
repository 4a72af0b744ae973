import LanternAgent
import LanternCore
import LanternHardware
import LanternSystem

extension Daemon {
    mutating func runBoard(site: SiteConfig, board: BoardConfig, boardPath: String) throws(Failure) {
        throw Failure("\(board.camera.device): not implemented yet (camera named in \(boardPath))")
    }
}
